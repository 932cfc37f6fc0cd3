/**
 * @since 0.1.0
 */
export * as AwsCredentials from "./AwsCredentials.js"

/**
 * @since 0.1.0
 */
export * as BufferedResponse from "./BufferedResponse.js"

/**
 * @since 0.1.0
 */
export * as Endpoint from "./Endpoint.js"

/**
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * @since 0.1.0
 */
export * as FetchHttpClient from "./FetchHttpClient.js"

/**
 * @since 0.1.0
 */
export * as Pkce from "./Pkce.js"

/**
 * @since 0.1.0
 */
export * as PortalErrors from "./PortalErrors.js"

/**
 * @since 0.1.0
 */
export * as PortalSchemas from "./PortalSchemas.js"

/**
 * @since 0.1.0
 */
export * as RefreshPolicy from "./RefreshPolicy.js"

/**
 * @since 0.1.0
 */
export * as Retry from "./Retry.js"

/**
 * @since 0.1.0
 */
export * as Schemas from "./Schemas.js"

/**
 * @since 0.1.0
 */
export * as SsoOidc from "./SsoOidc.js"

/**
 * @since 0.1.0
 */
export * as SsoPortal from "./SsoPortal.js"

/**
 * @since 0.1.0
 */
export * as QuietHttpClient from "./QuietHttpClient.js"

/**
 * @since 0.1.0
 */
export * as Transient from "./Transient.js"
