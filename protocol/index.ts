export * from './channels.js';
export * from './data-shape.js';
export * from './derived-id.js';
export * from './encoding.js';
export * from './event.js';
export * from './secret.js';
export * from './signature.js';
export * from './token.js';
