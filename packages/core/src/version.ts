// One version for every package and binary, taken from the root package.json.
import rootPackage from '../../../package.json' with { type: 'json' };

export const VERSION: string = rootPackage.version;
