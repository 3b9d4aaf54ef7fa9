import { defineErrors } from './spec.js';

/**
 * Upstream registries (other stores on disk, Pakt servers) that a store reads through, the
 * pull-through cache, offline mode, and the remote client's own credentials.
 */
export const UPSTREAM_ERRORS = defineErrors({
  E_NOT_IN_STORE: {
    meaning: 'The version asked for is not in this store, and the store may not fetch it now (offline mode, or every upstream that has it is unreachable); the message names the upstream that has it.',
    hint: 'Run the command again without --offline (and with PAKT_OFFLINE unset) so the store fetches it from the upstream named in the message.',
    status: 404, userFault: true, exit: 1,
  },
  E_UPSTREAM_INVALID: {
    meaning: 'An upstream given to `pakt upstream add` or to openRegistry({ upstreams }) is neither an http(s) URL nor a folder holding a pakt store, or one of its settings (priority, token variable) is out of range.',
    hint: 'Give an http:// or https:// URL of a Pakt server (no credentials in it: use --token-env) or the folder of an existing pakt store, a whole-number priority from 0 to 1000, and a token variable name of letters, digits and _.',
    status: 400, userFault: true, exit: 2,
  },
  E_UPSTREAM_EXISTS: {
    meaning: 'This store already names that upstream.',
    hint: 'Run `pakt upstream list` to see it; to change its priority or token variable, `pakt upstream remove <url|dir>` and add it again.',
    status: 409, userFault: true, exit: 1,
  },
  E_UPSTREAM_NOT_FOUND: {
    meaning: 'This store names no upstream of that URL, folder or id.',
    hint: 'Run `pakt upstream list` and give one of the URLs, folders or ids it shows.',
    status: 404, userFault: true, exit: 1,
  },
  E_UPSTREAM_CONFIG: {
    meaning: 'The store\'s upstream configuration file (upstreams.json in the store folder) is not valid JSON of the documented shape.',
    hint: 'Fix or delete the file named in the message (it is rewritten by `pakt upstream add`); its shape is in docs/upstreams.md.',
    status: 500, userFault: false, exit: 1,
  },
  E_UPSTREAM_INTEGRITY: {
    meaning: 'An upstream sent an archive whose bytes do not match the digest it announced for that version, or that is not a valid package; nothing of it was kept, and no other upstream had a good copy.',
    hint: 'Report it to whoever runs the upstream named in the message (its copy is damaged or was tampered with); meanwhile remove it with `pakt upstream remove` or fetch the package from another source.',
    status: 502, userFault: false, exit: 1,
  },
  E_UPSTREAM_UNAVAILABLE: {
    meaning: 'The store does not hold what was asked, and every upstream that could have answered failed (unreachable, an error answer, a broken transfer, or its circuit breaker is open after repeated failures); retryable.',
    hint: 'Run `pakt upstream health` to see which upstream fails and why, fix or wait for it, then run the command again.',
    status: 503, userFault: false, exit: 1,
  },
  E_NOT_LOGGED_IN: {
    meaning: 'No credential is stored for this registry URL (for `pakt logout` or `pakt whoami`), and PAKT_TOKEN is not set.',
    hint: 'Run `pakt login <url> --token <token>` (or set PAKT_TOKEN) first.',
    status: 401, userFault: true, exit: 1,
  },
  E_REMOTE_UNSUPPORTED: {
    meaning: 'This operation works on a store folder only, not through a remote registry (--registry / PAKT_REGISTRY): verify, gc, rebuild and other maintenance run on the server\'s own machine.',
    hint: 'Run the command on the machine that holds the store, with --store <dir>, or drop --registry and unset PAKT_REGISTRY.',
    status: 400, userFault: true, exit: 2,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface UpstreamErrorDetails {
  E_NOT_IN_STORE: {
    /** The upstream (its URL or folder) that has the version, when one is known to. */
    upstream?: string;
  };
  E_UPSTREAM_INTEGRITY: {
    /** The upstream whose bytes were refused. */
    upstream?: string;
  };
  E_UPSTREAM_UNAVAILABLE: {
    /** Each upstream tried and why it failed: "<upstream>: <CODE> <message>". */
    failures?: string[];
  };
}
