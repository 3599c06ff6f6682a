// The build stamp: before every build of `kymo`, writes BuildCommit.swift with
// the commit of the source tree being built — `git rev-parse HEAD`, `-dirty`
// when tracked files differ from it, `unknown` without git or a checkout — so
// `kymo --version` and every record name the commit the binary was built
// from, not whatever the tree's HEAD is when it runs. The file is rewritten
// only when its text changes, so an unchanged tree compiles nothing again.
import Foundation
import PackagePlugin

@main
struct BuildStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.pluginWorkDirectoryURL.appending(path: "stamp")
        let file = folder.appending(path: "BuildCommit.swift")
        let script = """
            set -u
            dir=$1; file=$2
            mkdir -p "$(dirname "$file")"
            git=$(command -v git || true)
            for g in /usr/bin/git /usr/local/bin/git /bin/git; do [ -n "$git" ] || { [ -x "$g" ] && git=$g; }; done
            c=unknown
            if [ -n "$git" ]; then
                h=$("$git" -C "$dir" rev-parse HEAD 2>/dev/null || true)
                if printf '%s' "$h" | grep -Eq '^[0-9a-f]{40}$'; then
                    c=$h
                    [ -z "$("$git" -C "$dir" status --porcelain --untracked-files=no 2>/dev/null)" ] || c="$c-dirty"
                fi
            fi
            printf '// Written by the BuildStamp plugin before each build (Plugins/BuildStamp).\\nlet buildCommit = "%s"\\n' "$c" > "$file.tmp"
            if cmp -s "$file.tmp" "$file"; then rm -f "$file.tmp"; else mv "$file.tmp" "$file"; fi
            """
        return [.prebuildCommand(displayName: "Stamping the build's commit",
                                 executable: URL(fileURLWithPath: "/bin/sh"),
                                 arguments: ["-c", script, "stamp", context.package.directoryURL.path, file.path],
                                 outputFilesDirectory: folder)]
    }
}
