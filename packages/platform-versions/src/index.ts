export { KUBERNETES } from './kubernetes';
