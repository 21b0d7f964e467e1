export { CreateCaseScreen } from './create';
export { CasesScreen } from './list';
