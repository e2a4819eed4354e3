-- One decision over several streams, written as one: every stream's expected revision checked and
-- every event inserted in this one call and transaction, or nothing at all.
--
-- The appends run in the order given (the caller sorts them by stream, as the group commit sorts
-- its batches, so two multi-appends, or a multi-append and a batch, that wait on each other's
-- unique-index entries cannot deadlock). Each is event_store.try_append (004) with its id check;
-- the first refusal raises, which rolls back what the earlier appends of this call inserted:
--   GG002  an expected revision does not hold; DETAIL is '<ordinal>:<actual revision>' (-1: no stream)
--   GG003  an event id of append <ordinal> is already stored; DETAIL is '<ordinal>'
--   23505  a race with another transaction on the unique indexes (as for a single append)
-- Appends k = 1..n have p_counts[k] events each, taken in order from the flattened per-event
-- arrays, as in append_batch. One row per append.
create function event_store.append_multi(
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
) returns table (ordinal integer, next_revision double precision, last_position text)
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
    if v_result.outcome = 'conflict' then
      raise exception 'stream % is at revision %, expected %', p_streams[k], v_result.actual_revision,
        coalesce(p_expected_revisions[k]::text, p_expected[k])
        using errcode = 'GG002', detail = k::text || ':' || v_result.actual_revision::text;
    end if;
    if v_result.outcome = 'duplicate' then
      raise exception 'an event id of the append to % is already stored', p_streams[k]
        using errcode = 'GG003', detail = k::text;
    end if;
    v_written := v_written or v_count > 0;
    ordinal := k;
    next_revision := v_result.next_revision;
    last_position := v_result.last_position;
    return next;
  end loop;
  if p_notify and v_written then
    perform pg_notify('gongguan_events', '');
  end if;
end;
$$;
