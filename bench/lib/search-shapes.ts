/**
 * Queries chosen for their shape, not their answer: the ones most likely to be slow (one letter,
 * very common words, a bare scope with thousands of names, repeated characters, a query at the
 * length cap, many words). The search bench reports their worst latency so "no query is slow
 * because of its shape" is measured, not assumed.
 */
export const SHAPE_QUERIES: readonly string[] = [
  'a',
  'js',
  'the',
  'react',
  'node',
  '@types/',
  '@',
  '@babel/plugin-transform-',
  'eslint-plugin-',
  'aaaaa',
  'aaaaaaaaaaaa',
  '-----',
  'a-b-c-d-e-f',
  'the a of and to for',
  'javascript library for the web',
  'a b c d e f g h i j k l m n o p',
  'x'.repeat(256),
  'ab'.repeat(128),
  '@types/node'.repeat(20),
  'lodash lodash lodash lodash',
  '!!!???',
  'ü€漢字',
];
