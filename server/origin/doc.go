// Package origin owns the browser-origin check shared by the sign-in route
// (its CSRF defence before a session exists) and the websocket upgrade.
package origin
