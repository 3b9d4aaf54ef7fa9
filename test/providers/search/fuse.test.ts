import { describeSearchConformance } from '../../conformance/search.suite.js';
import { createFuseSearch } from '../../../providers/search/fuse.js';

await describeSearchConformance({ name: 'fuse', create: (o) => createFuseSearch(o) });
