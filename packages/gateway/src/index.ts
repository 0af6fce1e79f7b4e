// Public face of @mcp-workstation/gateway. Filled in by the tunnel issue (#3).
export const PACKAGE_NAME = '@mcp-workstation/gateway';
