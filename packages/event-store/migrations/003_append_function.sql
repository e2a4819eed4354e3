-- The whole append in one call: one round trip, and plans cached per connection.
--
-- Concurrency is optimistic: read the stream's last event, check the expected revision, insert
-- the next revisions. Two appends racing for the same revision collide on the unique
-- (stream, revision) index; the second waits for the first and fails if it commits. A writer that
-- wins has read its predecessor committed before asking for a transaction id, so within a stream
-- (tx, seq) order is revision order.
--
-- The hash is computed here because it covers recordedAt, the database clock read here. The
-- caller sends, per event, the RFC 8785 text of the envelope cut around the three values only
-- known here; the text hashed is
--   hash_head || recordedAt || '"},"prevHash":"' || prevHash || '","revision":' || revision || hash_tail
-- which is exactly the canonical JSON of the envelope (recordedAt sorts last in metadata; prevHash,
-- revision, schemaVersion, stream, type follow metadata in that order).
--
-- Refusals raise, so a refused append leaves nothing behind:
--   GG001  the expected revision does not hold; DETAIL is the actual revision (-1: no stream)
--   23505  events_id_key: an event id already stored;
--          events_stream_revision_key: another append took the revision first
create function event_store.append(
  p_stream text,
  p_expected text,             -- 'any' | 'no_stream' | 'stream_exists' | 'exact'
  p_expected_revision bigint,  -- when 'exact'
  p_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data json[],
  p_metadata text[],           -- metadata JSON objects without recordedAt
  p_hash_heads text[],
  p_hash_tails text[],
  p_notify boolean             -- PGlite: NOTIFY gongguan_events (NOTIFY_CHANNEL) from inside the append
) returns table (next_revision double precision, last_position text)
language plpgsql as $$
declare
  v_exists boolean;
  v_revision bigint := -1;
  v_hash text := repeat('0', 64);
  v_last_recorded timestamptz;
  v_recorded timestamptz;
  v_recorded_text text;
  v_count integer := coalesce(cardinality(p_ids), 0);
  v_prevs text[] := '{}';
  v_hashes text[] := '{}';
  v_tx xid8;
  v_seq bigint;
begin
  select e.revision, e.hash, e.recorded_at, e.tx, e.seq
    into v_revision, v_hash, v_last_recorded, v_tx, v_seq
    from event_store.events e where e.stream = p_stream order by e.revision desc limit 1;
  v_exists := found;
  if not v_exists then
    v_revision := -1;
    v_hash := repeat('0', 64);
  end if;

  if (p_expected = 'no_stream' and v_exists)
     or (p_expected = 'stream_exists' and not v_exists)
     or (p_expected = 'exact' and p_expected_revision is distinct from v_revision) then
    raise exception 'stream % is at revision %, expected %', p_stream, v_revision,
      coalesce(p_expected_revision::text, p_expected)
      using errcode = 'GG001', detail = v_revision::text;
  end if;

  if v_count > 0 then
    -- Never earlier than the previous event of the stream: reads "as of T" stay prefixes.
    v_recorded := greatest(clock_timestamp(), v_last_recorded);
    v_recorded_text := to_char(v_recorded at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    for i in 1 .. v_count loop
      v_prevs[i] := v_hash;
      v_hash := encode(sha256(convert_to(
        p_hash_heads[i] || v_recorded_text || '"},"prevHash":"' || v_hash || '","revision":' || (v_revision + i)::text || p_hash_tails[i],
        'UTF8')), 'hex');
      v_hashes[i] := v_hash;
    end loop;

    if v_count = 1 then
      -- The common case, without the set machinery (a third of the cost of a single append).
      insert into event_store.events (id, stream, revision, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
        values (p_ids[1], p_stream, v_revision + 1, p_types[1], p_schema_versions[1], p_data[1],
          (left(p_metadata[1], -1) || ',"recordedAt":"' || v_recorded_text || '"}')::json,
          v_recorded, v_prevs[1], v_hashes[1])
        returning tx, seq into v_tx, v_seq;
    else
      with written as (
        insert into event_store.events (id, stream, revision, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
        select p_ids[i], p_stream, v_revision + i, p_types[i], p_schema_versions[i], p_data[i],
          (left(p_metadata[i], -1) || ',"recordedAt":"' || v_recorded_text || '"}')::json,
          v_recorded, v_prevs[i], v_hashes[i]
        from generate_subscripts(p_ids, 1) as i
        order by i
        returning tx, seq
      )
      select max(written.tx), max(written.seq) into v_tx, v_seq from written;
    end if;

    if p_notify then
      perform pg_notify('gongguan_events', '');
    end if;
  end if;

  next_revision := v_revision + v_count;
  last_position := case when v_tx is null then null
    else lpad(to_hex(v_tx::text::bigint), 16, '0') || '-' || lpad(to_hex(v_seq), 16, '0') end;
  return next;
end;
$$;
