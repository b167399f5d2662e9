package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/posener/complete"
	"github.com/willabides/kongplete"
)

// CompletionCmd prints a shell completion script. The script calls the
// binary back with COMP_LINE set (github.com/willabides/kongplete over
// github.com/posener/complete), which answers from the CLI model: commands,
// flags, enum values, and file names for file arguments.
type CompletionCmd struct {
	Shell string `arg:"" enum:"bash,zsh,fish" help:"The shell: ${enum}."`
}

// Help is the detailed help of `completion --help`.
func (c *CompletionCmd) Help() string {
	return `Prints a script that makes the shell complete commands, flags, their
values and file arguments (the script calls maestro-analyze back to ask).

Examples:

  maestro-analyze completion bash > /etc/bash_completion.d/maestro-analyze
  source <(maestro-analyze completion zsh)      # in ~/.zshrc
  maestro-analyze completion fish > ~/.config/fish/completions/maestro-analyze.fish`
}

// completionScripts are kongplete's install fragments (kongplete's
// InstallCompletions picks one from the login shell; this command is
// told which).
var completionScripts = map[string]string{
	"bash": "complete -o default -C ${bin} ${cmd}\n",
	"zsh": `autoload -U +X bashcompinit && bashcompinit
complete -o default -C ${bin} ${cmd}
`,
	"fish": `function __complete_${cmd}
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    ${bin}
end
complete -f -c ${cmd} -a "(__complete_${cmd})"
`,
}

// Run prints the script for the shell.
func (c *CompletionCmd) Run(kctx *kong.Context, stdio *IO) error {
	bin, err := os.Executable()
	if err == nil {
		bin, err = filepath.Abs(bin)
	}
	if err != nil {
		bin = kctx.Model.Name // found on PATH
	}
	vars := map[string]string{"cmd": kctx.Model.Name, "bin": shellQuote(bin)}
	_, err = fmt.Fprint(stdio.Out, os.Expand(completionScripts[c.Shell], func(s string) string {
		if v, ok := vars[s]; ok {
			return v
		}
		return "$" + s
	}))
	return err
}

// shellQuote quotes s for bash, zsh and fish when it holds anything but
// the characters of ordinary paths.
func shellQuote(s string) string {
	if strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// completeLine answers a completion request (COMP_LINE set by the shell's
// script) and exits through the parser; without one it returns.
func completeLine(parser *kong.Kong) {
	if os.Getenv("COMP_LINE") == "" {
		return // not asked: build no completion tree
	}
	kongplete.Complete(parser, kongplete.WithPredictor("file", complete.PredictFiles("*")))
}
