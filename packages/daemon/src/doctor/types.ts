/** One line of `mcp-workstation doctor`: what was checked, how it is, and what to do when it is wrong. */
export interface DoctorCheck {
  name: string;
  state: 'ok' | 'warn' | 'fail' | 'info';
  detail: string;
  fix?: string;
}
