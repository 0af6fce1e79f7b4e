/** The gateway's version, as `--version` prints it. */
export const GATEWAY_VERSION = '0.1.0';
