export * from './api';
export * from './canonical';
export * from './channel';
export * from './domain';
export * from './errors';
export * from './roles';
export * from './bridge';
export * from './client';
