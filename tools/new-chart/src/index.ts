export { scaffoldChart, scaffoldFiles, type ScaffoldOptions } from './scaffold';
