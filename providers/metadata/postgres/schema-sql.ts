/**
 * The SQL of the PostgreSQL store's numbered migrations, as functions of the (already quoted)
 * schema name. Released migrations are never edited: a change is a new number (migrations.ts).
 *
 * Text columns are COLLATE "C": UTF-8 byte order, which is Unicode code point order, so keys and
 * names sort as on SQLite (BINARY) whatever the database's locale. JSON is kept as text, exactly
 * as JSON.stringify wrote it (json would reject nothing we write, jsonb would reorder keys).
 */

/** The change feed keeps at least this many changes; every CHANGES_PRUNED_EVERY-th change prunes older ones. */
export const CHANGES_KEPT = 10_000;
export const CHANGES_PRUNED_EVERY = 1_000;

export const versionsSql = (s: string): string => `
  CREATE TABLE ${s}.versions (
    name         text   COLLATE "C" NOT NULL,
    version      text   COLLATE "C" NOT NULL,
    digest       text   COLLATE "C" NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    published_at text   NOT NULL,
    metadata     text   NOT NULL,   -- metadata.json as validated, JSON text, unknown fields kept
    CONSTRAINT versions_name_version PRIMARY KEY (name, version)   -- immutability: UNIQUE(name, version)
  );
  CREATE INDEX versions_by_digest ON ${s}.versions (digest);
  CREATE TABLE ${s}.downloads (
    name  text   COLLATE "C" NOT NULL PRIMARY KEY,
    count bigint NOT NULL CHECK (count >= 0)
  );
`;

/**
 * The change feed. Triggers (not provider code) log every write to versions, whoever makes it, in
 * the writing transaction, tagged with that transaction's id (xid8). A reader's cursor is the
 * snapshot it last read under: the changes it has not seen are exactly those whose transaction
 * that snapshot did not see as finished (pg_visible_in_snapshot). A sequence number would not do:
 * numbers are drawn before commit, so a transaction that drew 10 can commit after one that drew
 * 11 was read, and change 10 would be skipped for ever.
 *
 * feed holds one row: the store's random id (a cursor of another store is told apart) and the
 * highest xid pruned so far (a cursor whose snapshot had not seen that far may have missed
 * pruned changes: its answer is incomplete). TRUNCATE of versions marks the feed as pruned up to
 * its own transaction, so every reader rebuilds.
 */
export const changeFeedSql = (s: string): string => `
  CREATE TABLE ${s}.feed (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    store_id   uuid    NOT NULL DEFAULT gen_random_uuid(),
    pruned_max xid8
  );
  INSERT INTO ${s}.feed DEFAULT VALUES;
  CREATE TABLE ${s}.changes (
    xid  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    name text COLLATE "C" NOT NULL
  );
  CREATE INDEX changes_by_xid ON ${s}.changes (xid);
  CREATE SEQUENCE ${s}.changes_pruning_tick;

  -- Keeps every change of the pruning transaction itself (nobody has seen those yet) and the
  -- newest CHANGES_KEPT before it; a transaction's changes go whole (xid < cutoff, not <=).
  CREATE FUNCTION ${s}.prune_changes() RETURNS void LANGUAGE plpgsql AS $$
  DECLARE cutoff xid8;
  BEGIN
    SELECT xid INTO cutoff FROM ${s}.changes WHERE xid < pg_current_xact_id() ORDER BY xid DESC OFFSET ${CHANGES_KEPT} LIMIT 1;
    IF cutoff IS NULL THEN RETURN; END IF;
    DELETE FROM ${s}.changes WHERE xid < cutoff;
    UPDATE ${s}.feed SET pruned_max = cutoff WHERE pruned_max IS NULL OR pruned_max < cutoff;
  END $$;

  CREATE FUNCTION ${s}.log_version_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      INSERT INTO ${s}.changes (name) VALUES (NEW.name);
    ELSIF TG_OP = 'DELETE' THEN
      INSERT INTO ${s}.changes (name) VALUES (OLD.name);
    ELSE
      INSERT INTO ${s}.changes (name) VALUES (OLD.name);
      IF NEW.name <> OLD.name THEN INSERT INTO ${s}.changes (name) VALUES (NEW.name); END IF;
    END IF;
    IF nextval('${s}.changes_pruning_tick') % ${CHANGES_PRUNED_EVERY} = 0 THEN PERFORM ${s}.prune_changes(); END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER versions_logged AFTER INSERT OR UPDATE OR DELETE ON ${s}.versions
    FOR EACH ROW EXECUTE FUNCTION ${s}.log_version_change();

  CREATE FUNCTION ${s}.log_versions_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE ${s}.feed SET pruned_max = pg_current_xact_id();
    RETURN NULL;
  END $$;
  CREATE TRIGGER versions_truncated AFTER TRUNCATE ON ${s}.versions
    FOR EACH STATEMENT EXECUTE FUNCTION ${s}.log_versions_truncate();
`;

/**
 * Documents (src/contracts/documents.ts), and apply_documents: one batch of writes, whole or not
 * at all. Every expectRevision is checked first, against the state before the batch (the rows
 * locked FOR UPDATE, so no other writer changes them until commit), then the writes are applied in
 * order. A create-only put (expectRevision 0) inserts with ON CONFLICT DO NOTHING, so of two
 * writers that both found the key absent only one creates it. A failed check raises PK409 with
 * the document, expected and found revisions as JSON in DETAIL.
 */
export const documentsSql = (s: string): string => `
  CREATE TABLE ${s}.documents (
    kind       text        COLLATE "C" NOT NULL,
    key        text        COLLATE "C" NOT NULL,
    value      text        NOT NULL,   -- JSON text
    revision   bigint      NOT NULL CHECK (revision >= 1),
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (kind, key)
  );

  CREATE FUNCTION ${s}.document_conflict(k text, ky text, expected bigint, found bigint) RETURNS void LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION USING ERRCODE = 'PK409', MESSAGE = 'document revision conflict',
      DETAIL = json_build_object('kind', k, 'key', ky, 'expected', expected, 'found', found)::text;
  END $$;

  CREATE FUNCTION ${s}.apply_documents(ops text[], kinds text[], keys text[], texts text[], expects bigint[])
  RETURNS void LANGUAGE plpgsql AS $$
  DECLARE
    n   int := coalesce(cardinality(ops), 0);
    cur bigint;
  BEGIN
    FOR j IN 1..n LOOP
      IF expects[j] IS NOT NULL THEN
        SELECT revision INTO cur FROM ${s}.documents WHERE kind = kinds[j] AND key = keys[j] FOR UPDATE;
        IF coalesce(cur, 0) <> expects[j] THEN PERFORM ${s}.document_conflict(kinds[j], keys[j], expects[j], coalesce(cur, 0)); END IF;
      END IF;
    END LOOP;
    FOR j IN 1..n LOOP
      IF ops[j] = 'delete' THEN
        DELETE FROM ${s}.documents WHERE kind = kinds[j] AND key = keys[j];
      ELSIF expects[j] = 0 AND NOT EXISTS (SELECT 1 FROM generate_series(1, j - 1) AS e(i) WHERE kinds[e.i] = kinds[j] AND keys[e.i] = keys[j]) THEN
        INSERT INTO ${s}.documents (kind, key, value, revision, updated_at) VALUES (kinds[j], keys[j], texts[j], 1, now())
          ON CONFLICT (kind, key) DO NOTHING;
        IF NOT FOUND THEN
          SELECT revision INTO cur FROM ${s}.documents WHERE kind = kinds[j] AND key = keys[j];
          PERFORM ${s}.document_conflict(kinds[j], keys[j], 0, coalesce(cur, 0));
        END IF;
      ELSE
        INSERT INTO ${s}.documents (kind, key, value, revision, updated_at) VALUES (kinds[j], keys[j], texts[j], 1, now())
          ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, revision = ${s}.documents.revision + 1, updated_at = excluded.updated_at;
      END IF;
    END LOOP;
  END $$;
`;

/**
 * The write paths, one round trip each.
 *
 * insert_versions inserts a batch (group commit, inserts.ts) in one transaction. Before each
 * record it takes a shared advisory lock of its digest (lock_class, lock_keys): a blob removal
 * holds the exclusive one (removeIfUnreferenced), so no insert can refer to a digest while it is
 * being removed. In a batch (wait false) the lock is only tried: a record whose digest is being
 * removed is reported 'locked' and sent again alone (wait true, which waits), so the inserts it
 * was batched with do not wait for somebody else's removal. Each
 * record with document writes runs in a block of its own (a subtransaction): a failed revision
 * check undoes that record's insert and writes only, and is reported in its row. A record whose
 * name@version exists is reported with the existing row, read after ON CONFLICT waited for the
 * transaction that wrote it; if that row is gone again (deleted in between), the insert is tried
 * again.
 *
 * delete_version removes one version and applies its writes in the same transaction.
 */
export const writePathsSql = (s: string): string => `
  CREATE FUNCTION ${s}.insert_versions(
    names text[], versions text[], digests text[], sizes bigint[], published text[], metadatas text[],
    lock_class int, lock_keys int[], wait boolean,
    w_start int[], w_count int[], w_ops text[], w_kinds text[], w_keys text[], w_texts text[], w_expects bigint[]
  ) RETURNS TABLE (idx int, status text, digest text, size bigint, published_at text, metadata text, conflict text)
  LANGUAGE plpgsql AS $$
  #variable_conflict use_column
  DECLARE
    ws int;
    we int;
  BEGIN
    FOR i IN 1..cardinality(names) LOOP
      idx := i;
      conflict := NULL;
      digest := NULL; size := NULL; published_at := NULL; metadata := NULL;
      IF wait THEN
        PERFORM pg_advisory_xact_lock_shared(lock_class, lock_keys[i]);
      ELSIF NOT pg_try_advisory_xact_lock_shared(lock_class, lock_keys[i]) THEN
        status := 'locked';
        RETURN NEXT;
        CONTINUE;
      END IF;
      ws := w_start[i];
      we := w_start[i] + w_count[i] - 1;
      FOR attempt IN 1..5 LOOP
        IF w_count[i] > 0 THEN
          BEGIN
            INSERT INTO ${s}.versions (name, version, digest, size, published_at, metadata)
              VALUES (names[i], versions[i], digests[i], sizes[i], published[i], metadatas[i])
              ON CONFLICT (name, version) DO NOTHING;
            IF FOUND THEN
              PERFORM ${s}.apply_documents(w_ops[ws:we], w_kinds[ws:we], w_keys[ws:we], w_texts[ws:we], w_expects[ws:we]);
              status := 'inserted';
            ELSE
              status := 'existing';
            END IF;
          EXCEPTION WHEN SQLSTATE 'PK409' THEN
            GET STACKED DIAGNOSTICS conflict = PG_EXCEPTION_DETAIL;
            status := 'document-conflict';
          END;
        ELSE
          INSERT INTO ${s}.versions (name, version, digest, size, published_at, metadata)
            VALUES (names[i], versions[i], digests[i], sizes[i], published[i], metadatas[i])
            ON CONFLICT (name, version) DO NOTHING;
          status := CASE WHEN FOUND THEN 'inserted' ELSE 'existing' END;
        END IF;
        IF status <> 'existing' THEN
          digest := NULL; size := NULL; published_at := NULL; metadata := NULL;
          EXIT;
        END IF;
        SELECT v.digest, v.size, v.published_at, v.metadata INTO digest, size, published_at, metadata
          FROM ${s}.versions AS v WHERE v.name = names[i] AND v.version = versions[i];
        EXIT WHEN FOUND;
      END LOOP;
      RETURN NEXT;
    END LOOP;
  END $$;

  CREATE FUNCTION ${s}.delete_version(n text, v text, w_ops text[], w_kinds text[], w_keys text[], w_texts text[], w_expects bigint[])
  RETURNS TABLE (digest text, size bigint, published_at text, metadata text)
  LANGUAGE plpgsql AS $$
  #variable_conflict use_column
  BEGIN
    DELETE FROM ${s}.versions AS d WHERE d.name = n AND d.version = v
      RETURNING d.digest, d.size, d.published_at, d.metadata INTO digest, size, published_at, metadata;
    IF NOT FOUND THEN RETURN; END IF;
    PERFORM ${s}.apply_documents(w_ops, w_kinds, w_keys, w_texts, w_expects);
    RETURN NEXT;
  END $$;
`;
