/** The remote client of a Pakt server (docs/upstreams.md, docs/cli.md). */
export { RemoteRegistry, serverBaseUrl, type RemoteRegistryOptions } from './remote-registry.js';
export { credentialsPath, readToken, writeToken, hostKey } from './credentials.js';
