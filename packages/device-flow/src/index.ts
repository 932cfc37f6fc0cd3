/**
 * @since 0.1.0
 */
export * as Machine from "./Machine.js"
