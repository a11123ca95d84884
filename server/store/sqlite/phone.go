package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/callboard/callboard/server/store"
)

var _ store.PhoneStore = (*DB)(nil)

// UserPhone reads users.phone (migration 3).
func (d *DB) UserPhone(ctx context.Context, user string) (string, error) {
	var phone string
	err := d.db.QueryRowContext(ctx, `SELECT phone FROM users WHERE name = ?`, user).Scan(&phone)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return "", fmt.Errorf("user phone %s: %w", user, err)
	}
	return phone, nil
}

// SetUserPhone writes users.phone.
func (d *DB) SetUserPhone(ctx context.Context, user, phone string) error {
	res, err := d.db.ExecContext(ctx, `UPDATE users SET phone = ? WHERE name = ?`, phone, user)
	if err != nil {
		return fmt.Errorf("set user phone %s: %w", user, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("set user phone %s: %w", user, store.ErrNotFound)
	}
	return nil
}
