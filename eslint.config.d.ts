/** Types of what eslint.config.js exports, for build/layering.test.ts. */
export declare const MAIN_LAYERS: readonly { name: string; folders: readonly string[] }[];
declare const config: unknown;
export default config;
