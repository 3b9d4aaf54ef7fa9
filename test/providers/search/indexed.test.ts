import { describeSearchConformance } from '../../conformance/search.suite.js';
import { createIndexedSearch } from '../../../providers/search/indexed.js';

await describeSearchConformance({ name: 'indexed', create: (o) => createIndexedSearch(o) });
