-- The path of a code from the code alone, as the domain's derivedPath gives it
-- (test/derived-path.test.ts compares them on random strings): a county-level code whose city
-- digits are 00 lies directly under its province (002 put it under a city "XX0000" that is the
-- province itself, e.g. 100000.100000.100001).
create or replace function reporting.derived_path(code text) returns text language sql immutable as $$
  select case
    when code !~ '^[1-9][0-9]{5}$' then null
    when substr(code, 3) = '0000' then code
    when substr(code, 5) = '00' or substr(code, 3, 2) = '00' then substr(code, 1, 2) || '0000.' || code
    else substr(code, 1, 2) || '0000.' || substr(code, 1, 4) || '00.' || code
  end
$$;
