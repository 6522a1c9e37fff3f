-- Schema 3: the security review (issue 15).

-- Login guesses per user name, known or not, so that a name that does not exist is
-- locked like one that does. One row per name; a guess is taken by one atomic statement
-- (users::login_attempt). users.failed_logins and users.locked_until are no longer used.
CREATE TABLE login_attempts (
    name TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    updated BIGINT NOT NULL
);

-- disabled: the user cannot log in and their sessions and tokens stop working.
-- must_change: the password was set by an administrator; the user changes it first.
ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change BIGINT NOT NULL DEFAULT 0;

-- expires: Unix seconds, 0 for never. last_used: Unix seconds of the last request, for
-- the idle timeout.
ALTER TABLE api_tokens ADD COLUMN expires BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_tokens ADD COLUMN last_used BIGINT NOT NULL DEFAULT 0;
