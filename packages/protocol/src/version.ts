/** The version of protocol.md this package implements. */
export const PROTOCOL_VERSION = 1;
