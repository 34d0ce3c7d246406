{
  "targets": [
    {
      "target_name": "ksmbd_idops",
      "sources": [
        "src/vfs/native/binding.c",
        "src/vfs/native/pool.c",
        "src/vfs/native/cred.c",
        "src/vfs/native/ops.c",
        "src/vfs/native/dir.c",
        "src/vfs/native/xattr.c",
        "src/vfs/native/malloc.c"
      ],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "libraries": ["-lpthread"]
    }
  ]
}
