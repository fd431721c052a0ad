/** Typed per-environment configuration, chosen with `cdk deploy -c env=NAME`. */
export interface EnvironmentConfig {
  name: string;
  /** Keep data when the stack is deleted. */
  retainData: boolean;
}

export const ENVIRONMENTS: Record<string, EnvironmentConfig> = {
  dev: { name: 'dev', retainData: false },
  prod: { name: 'prod', retainData: true },
};

export function environmentConfig(name: string): EnvironmentConfig {
  const env = Object.hasOwn(ENVIRONMENTS, name) ? ENVIRONMENTS[name] : undefined;
  if (!env) throw new Error(`unknown environment "${name}"; known: ${Object.keys(ENVIRONMENTS).join(', ')}`);
  return env;
}
