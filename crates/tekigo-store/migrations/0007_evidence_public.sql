-- Schema 7: an evidence file's public mark (issue 17, `tekigo assess set ... --evidence F --public`): a
-- conformity package exported `--with-evidence public` carries only files so marked, so
-- `server import` then `server export` must give the mark back. 0 = not public.
ALTER TABLE evidence ADD COLUMN public BIGINT NOT NULL DEFAULT 0;
