/**
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * @since 0.1.0
 */
export * as TokenStore from "./TokenStore.js"

/**
 * @since 0.1.0
 */
export * as AwsConfig from "./AwsConfig.js"

/**
 * @since 0.1.0
 */
export * as TokenProvider from "./TokenProvider.js"

/**
 * @since 0.1.0
 */
export * as Browser from "./Browser.js"

/**
 * @since 0.1.0
 */
export * as Login from "./Login.js"

/**
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"

/**
 * @since 0.1.0
 */
export * as TerminalRenderer from "./TerminalRenderer.js"

/**
 * @since 0.1.0
 */
export * as UndiciHttpClient from "./UndiciHttpClient.js"

/**
 * @since 0.1.0
 */
export * as Transport from "./Transport.js"
