// Command gongkai audits the government-information-disclosure columns of a
// district's units the way a third-party evaluator does. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"gongkai/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}
