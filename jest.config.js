// One Jest run over every package and the cross-package suites in test/.
// @swc/jest compiles TypeScript about 10x faster to start than ts-jest (see docs/development.md).
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
const packages = ['protocol', 'wireguard', 'supervisor', 'bridge', 'tunnel', 'gateway', 'daemon'];

const common = {
  testEnvironment: 'node',
  testTimeout: 60_000,
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@noble/)'],
  moduleNameMapper: {
    '^@mcp-workstation/(protocol|wireguard|supervisor|bridge|tunnel|gateway)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

module.exports = {
  testTimeout: 60_000,
  projects: [
    ...packages.map((name) => ({ ...common, displayName: name, rootDir: __dirname, roots: [`<rootDir>/packages/${name}/src`] })),
    { ...common, displayName: 'e2e', rootDir: __dirname, roots: ['<rootDir>/test'], testPathIgnorePatterns: ['/test/bench/', '/test/fixtures/'] },
  ],
};
