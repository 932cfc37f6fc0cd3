/**
 * @since 0.2.0
 */
export * as PgliteStore from "./PgliteStore.js"

/**
 * @since 0.2.0
 */
export * as PostgresStore from "./PostgresStore.js"
