import { defineErrors } from './spec.js';

/**
 * Talking to a remote service over HTTP: an OCI distribution registry now (E_OCI_* for what is
 * particular to it), and any remote Pakt provider later (the E_REMOTE_* classes are meant for
 * reuse: network, availability, authentication, authorization, credentials).
 *
 * A retryable failure carries `details.retryable: true`; the caller may run the operation again
 * as it is. Every other failure here needs a change first (credentials, configuration, the data).
 */
export const REMOTE_ERRORS = defineErrors({
  E_REMOTE_NETWORK: {
    meaning: 'The remote service could not be reached or the connection broke (refused, reset, timed out, DNS), even after the retries allowed; retryable.',
    hint: 'Check that the service is running and reachable from here (address, port, proxy, firewall), then run the command again.',
    status: 503, userFault: false, exit: 1,
  },
  E_REMOTE_UNAVAILABLE: {
    meaning: 'The remote service answered, but with a server error or "too many requests" (HTTP 5xx or 429) each time it was asked; retryable.',
    hint: 'Wait and run the command again; if it persists, read the service\'s own log (the message names the status and the service\'s error code).',
    status: 503, userFault: false, exit: 1,
  },
  E_REMOTE_AUTH_REQUIRED: {
    meaning: 'The remote service wants credentials and none were found for it.',
    hint: 'Give credentials for this host: PAKT_OCI_USERNAME and PAKT_OCI_PASSWORD, an entry in ~/.config/pakt/credentials.json (mode 0600), or `docker login <host>` (see docs/scale-out.md).',
    status: 502, userFault: false, exit: 1,
  },
  E_REMOTE_AUTH_FAILED: {
    meaning: 'The remote service (or its token server) refused the credentials given for it.',
    hint: 'Check the user name and password or token for this host (the message says which source they came from); a token may have expired or been revoked.',
    status: 502, userFault: false, exit: 1,
  },
  E_REMOTE_DENIED: {
    meaning: 'The credentials were accepted but do not allow this operation on this repository (HTTP 403, or a token without the scope asked for).',
    hint: 'Grant the account the access named in the message (pull, push or delete on the repository), or use an account that has it.',
    status: 502, userFault: false, exit: 1,
  },
  E_REMOTE_CREDENTIALS_FILE: {
    meaning: 'A credentials file (the Pakt credentials file or a Docker config.json) cannot be used: it is not valid JSON of the documented shape, readable by other users, or a credential helper failed.',
    hint: 'Fix the file named in the message: it must be JSON of the shape in docs/scale-out.md, and the Pakt credentials file must be mode 0600 (`chmod 600 <file>`).',
    status: 500, userFault: false, exit: 1,
  },
  E_OCI_REFERENCE_INVALID: {
    meaning: 'A registry URL or an image reference is not of the accepted form (host[:port]/repository[:tag][@sha256:...], or oci://host[:port]/namespace).',
    hint: 'Write it as in the message\'s example: lowercase repository path components separated by /, a tag of at most 128 letters, digits, _ . -, and no credentials in the URL.',
    status: 400, userFault: true, exit: 2,
  },
  E_OCI_NAME_UNSUPPORTED: {
    meaning: 'A package name or version cannot be written as an OCI repository or tag (a name part ending in . _ or -, two separators in a row other than __ or dashes, a repository path of 256 characters or more, a tag over 128 characters); nothing was stored.',
    hint: 'Publish it under a name whose parts end in a letter or digit and that has no `..`, `._` or `-.`, or keep this package on a store other than an OCI registry.',
    status: 400, userFault: true, exit: 1,
  },
  E_OCI_REJECTED: {
    meaning: 'The registry refused a request as invalid (HTTP 400, 405, 413 or 415: a name, tag, manifest or size it does not accept, or a disabled operation such as delete).',
    hint: 'Read the registry\'s error code in the message; for UNSUPPORTED on delete, enable deletion on the registry (distribution: storage.delete.enabled: true; see docs/scale-out.md for managed registries).',
    status: 502, userFault: false, exit: 1,
  },
  E_OCI_NOT_A_REGISTRY: {
    meaning: 'The address answered, but not as an OCI distribution registry (GET /v2/ did not answer 200 or 401), or the registry lacks an API Pakt needs (the catalog, for listing).',
    hint: 'Check the URL (host, port, http or https) points at the registry itself; for listing, use a registry with the /v2/_catalog API (docs/scale-out.md lists which do).',
    status: 502, userFault: false, exit: 1,
  },
  E_OCI_MANIFEST_INVALID: {
    meaning: 'A manifest read from the registry is damaged or not what Pakt wrote: not JSON, not an OCI image manifest of Pakt\'s artifact type with one layer, or its bytes do not match the digest it was fetched by.',
    hint: 'Inspect it with `skopeo inspect --raw docker://<repository>:<tag>`; if it is not a Pakt package, move it out of Pakt\'s namespace; if it is damaged, delete it and republish the package.',
    status: 502, userFault: false, exit: 1,
  },
  E_OCI_TAG_TAKEN: {
    meaning: 'The tag for this name@version in the registry already holds a different artifact (another archive, or something Pakt did not write); Pakt never moves a version\'s tag, so nothing was stored.',
    hint: 'Publish a new version; if the registry\'s tag is a left-over from a store that no longer has that version, delete it there (`skopeo delete docker://<repository>:<tag>`) and publish again.',
    status: 409, userFault: true, exit: 1,
  },
  E_OCI_CORRUPT_BLOB_KEPT: {
    meaning: 'An archive quarantined earlier was stored again, but the registry still serves the damaged bytes under its digest (registries re-use the bytes they hold for a digest); nothing was stored.',
    hint: 'Run the registry\'s garbage collector so it drops the unreferenced damaged blob (distribution: `registry garbage-collect <config>` while it is read-only or stopped; Harbor: a GC job), then publish again.',
    status: 500, userFault: false, exit: 1,
  },
  E_OCI_PROTOCOL: {
    meaning: 'The registry answered outside the distribution protocol (an unexpected status, a missing Location or Range header, an unreadable body).',
    hint: 'Check that the URL points at an OCI registry and not at a proxy or web page; if it does, report the message (it names the request and the answer) to the registry\'s maintainers.',
    status: 502, userFault: false, exit: 1,
  },
});

/** What a remote service's answer said, on the codes made from one. */
interface RemoteAnswer {
  /** The service's host (and port), as in its URL: the registry, or its token server. */
  host?: string;
  /** The HTTP status it answered with. */
  status?: number;
  /** The service's own error codes in its answer's body (an OCI registry's MANIFEST_UNKNOWN, DENIED, ...). */
  registryCodes?: string[];
}

/**
 * Details particular to this area's codes (every code also has the common ErrorDetails of
 * src/errors.ts, where `retryable` and `attempts` are, since retry loops read them on any code).
 */
export interface RemoteErrorDetails {
  E_REMOTE_NETWORK: { host?: string };
  E_REMOTE_UNAVAILABLE: RemoteAnswer & {
    /** The wait the service asked for (Retry-After), in ms. */
    retryAfterMs?: number;
  };
  E_REMOTE_AUTH_REQUIRED: {
    host?: string;
    /** Where credentials were looked for or found (`environment`, a file and entry, a helper); never their value. */
    source?: string;
  };
  E_REMOTE_AUTH_FAILED: { host?: string; source?: string };
  E_REMOTE_DENIED: RemoteAnswer & {
    /** The access asked for, as a token scope (`repository:pakt/left-pad:pull,push`). */
    scope?: string;
  };
  E_OCI_REJECTED: RemoteAnswer;
  E_OCI_NOT_A_REGISTRY: { host?: string };
  E_OCI_PROTOCOL: RemoteAnswer & {
    /** An upload chunk the registry did not take as sent: the upload can go on from what it confirms. */
    resumable?: true;
  };
}
