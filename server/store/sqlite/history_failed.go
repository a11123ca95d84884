package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/callboard/callboard/server/store"
)

// failedCall writes the row of a placed call that failed before it was ever
// live: closed at once, never answered, with the PBX's cause. A call that
// was live already has its row (closed by OpCallEnd): that row wins.
func failedCall(ctx context.Context, tx *sql.Tx, op *store.HistoryOp) error {
	c := &op.Call
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO call_history(node, call_id, caller_number, caller_name, callee_number, callee_name,
			direction, started_at, ended_at, hangup_cause)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		op.Node, op.CallID, c.CallerNumber, c.CallerName, c.CalleeNumber, c.CalleeName, c.Direction,
		ms(op.At), ms(atOr(op.Ended, op.At)), op.Cause)
	if err != nil {
		return fmt.Errorf("failed call %s/%s: %w", op.Node, op.CallID, err)
	}
	return nil
}
