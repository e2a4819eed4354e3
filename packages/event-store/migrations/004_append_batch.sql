-- Group commit: several appends (to different streams, or to one stream in order) in one call and
-- one transaction, so concurrent writers share a round trip, a statement and a commit.
--
-- event_store.try_append is the one implementation of an append (003's algorithm: read the head,
-- check the expected revision, hash, insert). It answers a refusal it can see instead of raising:
--   'conflict'   the expected revision does not hold (actual_revision: -1 = no stream)
--   'duplicate'  p_check_ids and an id is already stored (seen before inserting, so nothing of
--                the batch is lost to it)
-- A race with another transaction still raises 23505 from the unique indexes, which rolls the
-- whole batch back; the caller then runs each append on its own (src/sql/append.ts).
create function event_store.try_append(
  p_stream text,
  p_expected text,
  p_expected_revision bigint,
  p_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data json[],
  p_metadata text[],
  p_hash_heads text[],
  p_hash_tails text[],
  p_check_ids boolean,
  out outcome text,
  out next_revision double precision,
  out last_position text,
  out actual_revision bigint
)
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
  actual_revision := v_revision;

  if (p_expected = 'no_stream' and v_exists)
     or (p_expected = 'stream_exists' and not v_exists)
     or (p_expected = 'exact' and p_expected_revision is distinct from v_revision) then
    outcome := 'conflict';
    return;
  end if;

  if p_check_ids then
    -- One probe of the unique index per id (a generic plan for "= any(array)" may scan the table).
    for i in 1 .. v_count loop
      if exists (select 1 from event_store.events e where e.id = p_ids[i]) then
        outcome := 'duplicate';
        return;
      end if;
    end loop;
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
  end if;

  outcome := 'ok';
  next_revision := v_revision + v_count;
  last_position := case when v_tx is null then null
    else lpad(to_hex(v_tx::text::bigint), 16, '0') || '-' || lpad(to_hex(v_seq), 16, '0') end;
end;
$$;

-- The single append keeps its signature and its raising contract (003), now on try_append.
create or replace function event_store.append(
  p_stream text,
  p_expected text,
  p_expected_revision bigint,
  p_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data json[],
  p_metadata text[],
  p_hash_heads text[],
  p_hash_tails text[],
  p_notify boolean
) returns table (next_revision double precision, last_position text)
language plpgsql as $$
declare
  v_result record;
begin
  v_result := event_store.try_append(p_stream, p_expected, p_expected_revision, p_ids, p_types, p_schema_versions,
    p_data, p_metadata, p_hash_heads, p_hash_tails, false);
  if v_result.outcome = 'conflict' then
    raise exception 'stream % is at revision %, expected %', p_stream, v_result.actual_revision,
      coalesce(p_expected_revision::text, p_expected)
      using errcode = 'GG001', detail = v_result.actual_revision::text;
  end if;
  if p_notify and coalesce(cardinality(p_ids), 0) > 0 then
    perform pg_notify('gongguan_events', '');
  end if;
  next_revision := v_result.next_revision;
  last_position := v_result.last_position;
  return next;
end;
$$;

-- Appends k = 1..n in order, in this one transaction. Append k has p_counts[k] events, taken in
-- order from the flattened per-event arrays. One row per append.
create function event_store.append_batch(
  p_streams text[],
  p_expected text[],
  p_expected_revisions bigint[],
  p_counts integer[],
  p_ids uuid[],
  p_types text[],
  p_schema_versions integer[],
  p_data json[],
  p_metadata text[],
  p_hash_heads text[],
  p_hash_tails text[],
  p_notify boolean
) returns table (ordinal integer, outcome text, next_revision double precision, last_position text, actual_revision bigint)
language plpgsql as $$
declare
  v_offset integer := 0;
  v_count integer;
  v_result record;
  v_written boolean := false;
begin
  for k in 1 .. coalesce(cardinality(p_streams), 0) loop
    v_count := p_counts[k];
    v_result := event_store.try_append(p_streams[k], p_expected[k], p_expected_revisions[k],
      p_ids[v_offset + 1 : v_offset + v_count], p_types[v_offset + 1 : v_offset + v_count],
      p_schema_versions[v_offset + 1 : v_offset + v_count], p_data[v_offset + 1 : v_offset + v_count],
      p_metadata[v_offset + 1 : v_offset + v_count], p_hash_heads[v_offset + 1 : v_offset + v_count],
      p_hash_tails[v_offset + 1 : v_offset + v_count], true);
    v_offset := v_offset + v_count;
    v_written := v_written or (v_result.outcome = 'ok' and v_count > 0);
    ordinal := k;
    outcome := v_result.outcome;
    next_revision := v_result.next_revision;
    last_position := v_result.last_position;
    actual_revision := v_result.actual_revision;
    return next;
  end loop;
  if p_notify and v_written then
    perform pg_notify('gongguan_events', '');
  end if;
end;
$$;
