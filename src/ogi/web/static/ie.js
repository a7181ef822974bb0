/* Old IE (and 360/QQ in 兼容模式) set document.documentMode: show the banner. ES3 only. */
if (document.documentMode) { document.documentElement.className += " old-ie"; }
