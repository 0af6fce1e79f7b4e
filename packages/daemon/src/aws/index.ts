// The AWS MCP Server support: a library the daemon calls (init aws, config check, doctor,
// the credentials monitor behind the supervisor's and the bridge's hooks, login aws, the
// first-start progress). See docs/aws.md.
export { AWS_MCP_ENDPOINTS, AWS_PROXY_PACKAGE, DEFAULT_PROXY_VERSION, awsServerConfig, endpointRegionOf, endpointUrl, knownEndpointRegions } from './endpoints.js';
export type { AwsServerEntry, AwsServerOptions } from './endpoints.js';
export { awsServerFacts, runsAwsProxy } from './server-facts.js';
export type { AwsServerFacts, ServerEntryLike } from './server-facts.js';
export { awsServerWarnings } from './warnings.js';
export type { NamedServer } from './warnings.js';
export { awsPaths } from './aws-paths.js';
export type { AwsPaths } from './aws-paths.js';
export { profileNames, readProfile, refreshCommand } from './aws-profiles.js';
export type { CredentialSource, ProfileInfo } from './aws-profiles.js';
export { ExpiryDetector, expirySignalInText } from './credential-signals.js';
export type { ExpirySignal } from './credential-signals.js';
export { CredentialsState } from './credentials-state.js';
export type { CredentialsSnapshot, CredentialsStateName } from './credentials-state.js';
export { AWS_CREDENTIALS_EXPIRED_CODE, AWS_CREDENTIALS_EXPIRED_REASON, expiredCredentialsError } from './error-rewrite.js';
export type { AwsCredentialsExpiredData } from './error-rewrite.js';
export { CredentialWatch, DEFAULT_CREDENTIAL_DEBOUNCE_MS } from './credential-watch.js';
export type { CredentialChange, CredentialFileKind } from './credential-watch.js';
export { AwsCredentialsMonitor, awsMonitorFor, childEnvironment, shouldRestart } from './credentials-monitor.js';
export type { AwsCredentialsStatus, AwsMonitorOptions } from './credentials-monitor.js';
export { awsDoctorChecks, parseAwsCliVersion } from './doctor-checks.js';
export type { AwsDoctorInput, CheckStatus, DoctorCheck } from './doctor-checks.js';
export { loginCommand, runLogin } from './login.js';
export type { LoginOutcome, RunLoginOptions } from './login.js';
export { FirstStartProgress } from './first-start.js';
export type { FirstStartOptions } from './first-start.js';
