import { defineErrors } from './spec.js';

/**
 * Codes shared by every area: usage, input files, I/O, providers, the unexpected. The host
 * application's own set-up faults (a missing or incompatible provider, a bad limit, use after
 * close) are not the caller's fault: a client of a server built on pakt gets a 500 for them.
 */
export const GENERAL_ERRORS = defineErrors({
  E_USAGE: {
    meaning: 'The command line or the API call was malformed: an unknown command or option, or a missing or extra argument.',
    hint: 'Run `pakt --help` (or `pakt <command> --help`) for the accepted form.',
    status: 400, userFault: true, exit: 2,
  },
  E_INVALID_ARGUMENT: {
    meaning: 'An argument has the right place but a value outside what the operation accepts.',
    hint: 'Correct the value named in the message; the message gives the accepted form.',
    status: 400, userFault: true, exit: 2,
  },
  E_INPUT_IDLE_TIMEOUT: {
    meaning: 'A stream given to publish sent no bytes for longer than the `streamIdleTimeoutMs` limit, so the publish was given up; nothing was stored.',
    hint: 'Publish again from a source that keeps sending, or raise the limit: `openRegistry({ limits: { streamIdleTimeoutMs: 300000 } })` (docs/limits.md).',
    status: 408, userFault: true, exit: 1,
  },
  E_INPUT_NOT_FOUND: {
    meaning: 'A file or folder given as input does not exist or cannot be read.',
    hint: 'Check the path, and that the current user may read it.',
    status: 404, userFault: true, exit: 1,
  },
  E_OUTPUT_EXISTS: {
    meaning: 'The file an operation would write already exists; it was left as it was and nothing was written.',
    hint: 'Choose another file (`-o <file>`), remove it, or pass `--force` (library: `{ overwrite: true }`) to replace it.',
    status: 409, userFault: true, exit: 1,
  },
  E_IO: {
    meaning: 'The operating system refused a read or write (disk full, permissions, a failing device).',
    hint: 'Read the cause in the message, fix the disk or permissions, and retry; nothing was left half-written.',
    status: 500, userFault: false, exit: 1,
  },
  E_LIMIT_INVALID: {
    meaning: 'A limit given by the host application is not a positive finite number or is not a known limit.',
    hint: 'Pass limits as positive integers, with the names and defaults listed in docs/limits.md.',
    status: 500, userFault: false, exit: 1,
  },
  E_PROVIDER_MISSING: {
    meaning: 'A required provider (metadata, storage, versioning, validation or search) was not given to CoreRegistryManager.',
    hint: 'Pass every required provider, or use openRegistry() which wires the embedded defaults.',
    status: 500, userFault: false, exit: 1,
  },
  E_PROVIDER_INCOMPATIBLE: {
    meaning: 'A provider declares a family or core version range that does not fit this core.',
    hint: 'Use a provider built for this major version of pakt, or update it; its info.coreRange must include the core version.',
    status: 500, userFault: false, exit: 1,
  },
  E_PROVIDER_OPTION: {
    meaning: 'A provider factory was called without a required option or with an invalid one.',
    hint: 'Pass the option named in the message to the provider factory.',
    status: 500, userFault: false, exit: 1,
  },
  E_CLOSED: {
    meaning: 'The registry (or one of its providers) was used after close().',
    hint: 'Open a new registry with openRegistry(); do not call methods after close().',
    status: 500, userFault: false, exit: 1,
  },
  E_INTERNAL: {
    meaning: 'An unexpected fault inside pakt or a provider; this is a bug.',
    hint: 'Report it with the message and the command that caused it; stored data was not changed by the failed step.',
    status: 500, userFault: false, exit: 1,
  },
});

/** Details particular to this area's codes (every code also has the common ErrorDetails of src/errors.ts). */
export interface GeneralErrorDetails {
  E_IO: {
    /** Providers that failed to close, "<family>/<name>: <message>" each (registry.close()). */
    providers?: string[];
  };
  E_PROVIDER_OPTION: {
    /** The option at fault, as the provider names it (e.g. `retry.attempts`). */
    option?: string;
  };
}
