// Public face of @mcp-workstation/protocol. Filled in by the tunnel issue (#3).
export const PACKAGE_NAME = '@mcp-workstation/protocol';
