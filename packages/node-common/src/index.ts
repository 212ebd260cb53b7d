export * from './xml-tree';
export * from './xml-escape';
export * from './self-signed-certificate';
export * from './free-ports';
