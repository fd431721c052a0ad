/** The import rules of ../shared/DESIGN.md; a violation fails `npm run lint`. */
module.exports = {
  forbidden: [
    { name: 'contracts-imports-nothing-of-ours', severity: 'error', from: { path: '^lambdas/contracts/' }, to: { path: '^(lambdas/(?!contracts/)|local/|lib/|bin/|test/)' } },
    { name: 'core-is-pure', severity: 'error', comment: 'core imports contracts only: no AWS SDK, no Powertools, no child processes',
      from: { path: '^lambdas/core/' }, to: { path: '^(lambdas/(?!core/|contracts/)|local/|lib/|bin/|node_modules/@aws-sdk|node_modules/@aws-lambda-powertools)' } },
    { name: 'core-no-child-process', severity: 'error', from: { path: '^lambdas/core/' }, to: { path: '^(node:)?child_process$' } },
    { name: 'runtime-deps', severity: 'error', comment: 'runtime -> core, contracts, ports',
      from: { path: '^lambdas/runtime/' }, to: { path: '^(lambdas/(functions|platform|adapters)/|local/|lib/|bin/)' } },
    { name: 'functions-not-each-other', severity: 'error', from: { path: '^lambdas/functions/([^/]+)/' }, to: { path: '^lambdas/functions/', pathNot: '^lambdas/functions/$1/' } },
    { name: 'functions-deps', severity: 'error', from: { path: '^lambdas/(functions|platform)/' }, to: { path: '^(lambdas/adapters/|local/|lib/|bin/)' } },
    { name: 'platform-not-each-other', severity: 'error', from: { path: '^lambdas/platform/([^/]+)/' }, to: { path: '^lambdas/platform/', pathNot: '^lambdas/platform/$1/' } },
    { name: 'adapters-deps', severity: 'error', comment: 'adapters/aws -> contracts, ports, AWS SDK',
      from: { path: '^lambdas/adapters/' }, to: { path: '^(lambdas/(core|runtime|functions|platform)/|local/|lib/|bin/)' } },
    { name: 'lambdas-not-local-or-lib', severity: 'error', from: { path: '^lambdas/' }, to: { path: '^(local|lib|bin)/' } },
    { name: 'lib-only-contracts-and-core', severity: 'error', comment: 'lib refers to code by path and imports only contracts and core (pure)',
      from: { path: '^lib/' }, to: { path: '^(lambdas/(?!contracts/|core/)|local/|bin/)' } },
    { name: 'nothing-imports-test', severity: 'error', from: { pathNot: '^test/' }, to: { path: '^test/' } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.json'] },
  },
};
