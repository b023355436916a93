// The full build's compile cache (scripts/build.ts puts this, minified, in dist/ecs-release.cjs).
// Each chunk of the build after the first 64 KiB loaded (see below) is compiled with V8's code cache,
// kept on disk: a chunk that was compiled in an earlier run of the same build on the same V8 is
// deserialised instead of parsed and compiled, with the functions that ran (Script#createCachedData
// after the run), as Node 22's own module.enableCompileCache() does for the modules Node loads itself
// (https://nodejs.org/api/vm.html#scriptcreatecacheddata, https://nodejs.org/api/module.html#module-compile-cache).
//
// Where: ECS_RELEASE_COMPILE_CACHE (a directory), else <os.tmpdir()>/ecs-release-compile-cache-<uid>;
// ECS_RELEASE_COMPILE_CACHE=off turns it off, and it is off where Node has no user ids (Windows).
// A file is named by the build (BUILD_ID, replaced by the build: a digest of its chunks), V8's
// cachedDataVersionTag() (V8's version and the flags that change its code) and the chunk.
// What is read is checked before V8 sees it, since V8 checks only the source's length and a damaged
// cache can crash it: the directory must be this user's (not a link) and the file a regular file this
// user owns, neither writable by anyone else (the file checked on the open handle: a path swapped
// after a check is not followed), and the file must carry this format's magic and the SHA-256 of the
// data after it, as Node's own cache keeps a hash (src/compile_cache.cc). A file that fails is compiled
// without and written anew. Writes go to a new file of a random name (O_EXCL), then renamed over; the
// first write that fails ends the writing. Anything that fails leaves the chunk compiled as without a
// cache: the cache only makes a start faster.
var __compile = (function (build) {
  var vm = require("node:vm");
  var plain = function (code, filename) {
    return vm.compileFunction(code, ["exports", "require", "module"], { filename: filename });
  };
  var cached;
  var plainBytes = 0;
  return function (code, filename, name) {
    if (cached === undefined) {
      // The first 64 KiB of chunks loaded (the entry's: argument parsing, help, errors; then a
      // command's own first chunks) are compiled without the cache: a command that needs no more
      // (--version, --help, a bad flag) is over before the cache's set-up (node:crypto, node:v8, the
      // directory's checks) would pay for itself. Measured on --version: 5–10 ms more with it
      // (docs/performance.md, "Cold start").
      plainBytes += code.length;
      if (plainBytes <= 65536) return plain(code, filename);
      cached = setUp() || plain;
    }
    return cached(code, filename, name);
  };

  function setUp() {
    try {
      var setting = process.env.ECS_RELEASE_COMPILE_CACHE;
      if (setting === "off" || typeof process.getuid !== "function") return;
      var fs = require("node:fs"), path = require("node:path"), crypto = require("node:crypto");
      var uid = process.getuid();
      var dir = setting || path.join(require("node:os").tmpdir(), "ecs-release-compile-cache-" + uid);
      fs.mkdirSync(dir, { recursive: true, mode: 448 }); // 0o700
      if (!ours(fs.lstatSync(dir), uid, true)) return;
      var prefix = path.join(dir, build + "-" + require("node:v8").cachedDataVersionTag() + "-");
      var MAGIC = Buffer.from("ecsrcc01");
      var made = [];
      process.once("exit", function () {
        for (var i = 0; i < made.length; i++) if (!write(prefix + made[i][0] + ".v8", made[i][1].createCachedData())) return;
      });
      return function (code, filename, name) {
        var data = read(prefix + name + ".v8");
        // The wrapper on a line of its own (lineOffset -1): stack traces give the chunk's own lines and columns.
        var script = new vm.Script("(function(exports,require,module){\n" + code + "\n})", { filename: filename, lineOffset: -1, cachedData: data });
        if (data === undefined || script.cachedDataRejected) made.push([name, script]);
        return script.runInThisContext();
      };
    } catch (e) {
      return;
    }

    function read(file) {
      var fd;
      try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW || 0));
        if (!ours(fs.fstatSync(fd), uid, false)) return;
        var bytes = fs.readFileSync(fd);
        if (bytes.length < 40 || !bytes.subarray(0, 8).equals(MAGIC)) return;
        var data = bytes.subarray(40);
        return crypto.createHash("sha256").update(data).digest().equals(bytes.subarray(8, 40)) ? data : undefined;
      } catch (e) {
        return;
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
    }

    function write(file, data) {
      var temporary = file + "." + crypto.randomBytes(8).toString("hex");
      try {
        fs.writeFileSync(temporary, Buffer.concat([MAGIC, crypto.createHash("sha256").update(data).digest(), data]), { mode: 384, flag: "wx" }); // 0o600
        fs.renameSync(temporary, file);
        return true;
      } catch (e) {
        try {
          fs.unlinkSync(temporary);
        } catch (e2) {}
        return false;
      }
    }
  }

  /** This user's, writable by nobody else (0o022), and a directory or a regular file (never a link). */
  function ours(stat, uid, directory) {
    return stat.uid === uid && (stat.mode & 18) === 0 && (directory ? stat.isDirectory() : stat.isFile());
  }
})("BUILD_ID");
