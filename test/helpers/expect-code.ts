/** The tests' expectCode is the one `pakt/conformance` ships (test/conformance/expect-code.ts). */
export { expectCode } from '../conformance/expect-code.js';
