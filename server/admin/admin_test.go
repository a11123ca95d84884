package admin_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/callboard/callboard/server"
	"github.com/callboard/callboard/server/internal/servertest"
	"github.com/callboard/callboard/server/store"
)

// Admins deleting themselves at once (each request authenticates: nobody
// else ends its session) never leave the dashboard without an admin.
func TestDeleteAdminsConcurrentlyKeepsOne(t *testing.T) {
	ts := servertest.Start(t, server.Config{})
	clients := []*servertest.Client{ts.Client}
	for _, n := range []string{"ann", "bob", "cat", "dan"} {
		ts.AddUser(t, n, store.RoleAdmin)
		clients = append(clients, ts.Login(t, n))
	}
	codes := make(chan int, len(clients))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			<-start
			resp, _ := c.Do(t, http.MethodDelete, "/api/v1/users/"+c.User, "")
			codes <- resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	users, err := ts.Store.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	admins := 0
	for _, u := range users {
		if u.Role == store.RoleAdmin {
			admins++
		}
	}
	if admins != 1 || count[http.StatusNoContent] != len(clients)-1 || count[http.StatusConflict] != 1 {
		t.Fatalf("%d admins left, statuses %v; want 1 left, %d deleted, one 409", admins, count, len(clients)-1)
	}
}

func TestDeleteLastAdminIs409(t *testing.T) {
	ts := servertest.Start(t, server.Config{})
	resp, data := ts.Do(t, http.MethodDelete, "/api/v1/users/root", "")
	if resp.StatusCode != http.StatusConflict || !strings.Contains(string(data), "last admin") {
		t.Fatalf("delete the only admin: %d %s", resp.StatusCode, data)
	}
	if resp, _ := ts.Do(t, http.MethodDelete, "/api/v1/users/nobody", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("delete unknown user: %d", resp.StatusCode)
	}
}
