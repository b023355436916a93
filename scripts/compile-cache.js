// The full build's compile cache (scripts/build.ts puts this, minified, in dist/ecs-release.cjs).
// Each chunk of the build is compiled with V8's code cache, kept on disk: a chunk that was compiled in
// an earlier run of the same build on the same Node.js is deserialised instead of parsed and compiled,
// with the functions that run used (Script#createCachedData after the run), as Node 22's own
// module.enableCompileCache() does for modules Node loads itself
// (https://nodejs.org/api/vm.html#scriptcreatecacheddata, https://nodejs.org/api/module.html#module-compile-cache).
// Where: ECS_RELEASE_COMPILE_CACHE (a directory), else <os.tmpdir()>/ecs-release-compile-cache-<uid>;
// ECS_RELEASE_COMPILE_CACHE=off turns it off. A directory that another user owns or that others can
// write is not used (code read from it runs as this user). Anything that fails leaves the chunk
// compiled as without a cache: the cache only ever makes a start faster.
// BUILD_ID (replaced by the build: a digest of the chunks) keeps one build's cache from another's; V8
// also refuses data from another V8 version or flags (cachedDataRejected), and the file is then rewritten.
var __compile = (function (vm, build) {
  var plain = function (code, filename) {
    return vm.compileFunction(code, ["exports", "require", "module"], { filename: filename });
  };
  try {
    var setting = process.env.ECS_RELEASE_COMPILE_CACHE;
    if (setting === "off") return plain;
    var fs = require("node:fs"), path = require("node:path");
    var uid = typeof process.getuid === "function" ? process.getuid() : -1;
    var dir = setting || path.join(require("node:os").tmpdir(), "ecs-release-compile-cache-" + (uid < 0 ? "user" : uid));
    fs.mkdirSync(dir, { recursive: true, mode: 448 });
    var stat = fs.statSync(dir);
    if (uid >= 0 && (stat.uid !== uid || (stat.mode & 18) !== 0)) return plain; // 18 = 0o022: group or others may write
    var prefix = path.join(dir, build + "-" + process.version + "-" + process.arch + "-");
    var made = [];
    process.once("exit", function () {
      for (var i = 0; i < made.length; i++) {
        try {
          var file = prefix + made[i][0] + ".v8", temporary = file + "." + process.pid;
          fs.writeFileSync(temporary, made[i][1].createCachedData(), { mode: 384 });
          fs.renameSync(temporary, file);
        } catch (e) {}
      }
    });
    return function (code, filename, name) {
      var data;
      try {
        data = fs.readFileSync(prefix + name + ".v8");
      } catch (e) {}
      var script = new vm.Script("(function(exports,require,module){" + code + "\n})", { filename: filename, cachedData: data });
      if (data === undefined || script.cachedDataRejected) made.push([name, script]);
      return script.runInThisContext();
    };
  } catch (e) {
    return plain;
  }
})(require("node:vm"), "BUILD_ID");
