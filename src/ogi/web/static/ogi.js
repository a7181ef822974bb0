/* ogi serve: uploads by drag and drop, and the progress of the year's one background job.
   Plain script, no library, nothing loaded from the internet. */
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]').content;

  function post(url, body) {
    return fetch(url, {method: "POST", body: body, credentials: "same-origin",
                       headers: {"X-CSRFToken": token, "Accept": "application/json"}});
  }

  // ---- the job bar --------------------------------------------------------------------------
  var box = document.getElementById("job");
  function show(job) {
    if (!job) { return; }
    box.hidden = false;
    document.getElementById("job-name").textContent = (job.running ? "" : "上一项任务：") + job.name;
    var bar = document.getElementById("job-bar");
    bar.max = job.total || 1;
    bar.value = job.running ? job.done : (job.total || 1);
    document.getElementById("job-text").textContent = job.error ? ("出错：" + job.error)
      : job.running ? ("进行中 " + job.done + "/" + (job.total || "?")) : job.message;
    box.className = "job" + (job.error ? " bad" : job.running ? "" : " done");
    var lines = job.lines || [], list = document.getElementById("job-lines");
    document.getElementById("job-details").hidden = lines.length === 0;
    list.textContent = "";
    lines.forEach(function (text) {
      var li = document.createElement("li"); li.textContent = text; list.appendChild(li);
    });
  }
  function poll(reloadWhenDone) {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        show(job);
        if (job && job.running) { setTimeout(function () { poll(true); }, 400); }
        else if (reloadWhenDone) { location.reload(); }
      });
  }
  document.querySelectorAll("form.job-form").forEach(function (form) {
    if (!/generate|create/.test(form.action)) { return; }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      post(form.action, new FormData(form)).then(function (r) {
        return r.json().then(function (data) {
          if (!r.ok) { show({name: "", error: data.message, running: false}); return; }
          show(data); poll(true);
        });
      });
    });
  });
  poll(false);

  var rosterFile = document.getElementById("roster-file");
  if (rosterFile) {
    rosterFile.addEventListener("change", function () {
      document.getElementById("roster-name").textContent = rosterFile.files.length ? rosterFile.files[0].name : "未选择文件";
    });
  }

  document.querySelectorAll("a.preview").forEach(function (a) {
    a.addEventListener("click", function () { document.getElementById("preview").hidden = false; });
  });

  // ---- uploads ------------------------------------------------------------------------------
  var drop = document.getElementById("drop");
  if (!drop) { return; }
  var log = document.getElementById("upload-log");
  function line(text, cls) {
    var li = document.createElement("li");
    li.textContent = text; if (cls) { li.className = cls; }
    log.appendChild(li); return li;
  }
  function upload(files) {
    var list = Array.prototype.slice.call(files), i = 0;
    function next() {
      if (i >= list.length) { line("全部上传完毕，正在刷新表格……"); location.reload(); return; }
      var file = list[i++], li = line(file.name + "：上传中……");
      var form = new FormData();
      form.append("files", file, file.name);
      post(drop.action, form).then(function (r) {
        return r.json().then(function (data) {
          if (!r.ok) { li.textContent = file.name + "：" + data.message; li.className = "bad"; return; }
          data.files.forEach(function (f) {
            var parts = f.rows.map(function (row) {
              return (f.rows.length > 1 ? row.file + " " : "") + (row.agency ? row.agency + " " : "") + row.status
                + (row.notes.length ? "（" + row.notes.join("；") + "）" : "");
            });
            li.textContent = f.name + " → " + f.stored + (f.new ? "" : "（与已收到的文件相同，未重复保存）")
              + "：" + (parts.length ? parts.join("；") : f.notes.join("；"));
          });
        });
      }, function () { li.textContent = file.name + "：上传中断，请重试"; li.className = "bad"; }).then(next);
    }
    next();
  }
  drop.addEventListener("dragover", function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (ev) {
    ev.preventDefault(); drop.classList.remove("over"); upload(ev.dataTransfer.files);
  });
  document.getElementById("files").addEventListener("change", function (ev) { upload(ev.target.files); });
})();
