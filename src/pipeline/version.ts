/** The package version, for reports (kept in step with package.json by test/pipeline/version.test.ts). */
export const VERSION = '0.1.0';
