package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/callboard/callboard/server/store"
)

var _ store.LanguageStore = (*DB)(nil)

// UserLanguage reads users.language (migration 7).
func (d *DB) UserLanguage(ctx context.Context, user string) (string, error) {
	var lang string
	err := d.db.QueryRowContext(ctx, `SELECT language FROM users WHERE name = ?`, user).Scan(&lang)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return "", fmt.Errorf("user language %s: %w", user, err)
	}
	return lang, nil
}

// SetUserLanguage writes users.language.
func (d *DB) SetUserLanguage(ctx context.Context, user, lang string) error {
	res, err := d.db.ExecContext(ctx, `UPDATE users SET language = ? WHERE name = ?`, lang, user)
	if err != nil {
		return fmt.Errorf("set user language %s: %w", user, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("set user language %s: %w", user, store.ErrNotFound)
	}
	return nil
}
