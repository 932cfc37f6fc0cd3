/**
 * @since 0.1.0
 */
export * as DeviceFlow from "./DeviceFlow.js"

/**
 * @since 0.1.0
 */
export * as Machine from "./Machine.js"
