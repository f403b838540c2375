export { demoChart, demoValues } from './demo-chart';
