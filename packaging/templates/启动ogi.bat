@echo off
rem Starts "ogi serve" on a year folder: drop the folder onto this file, or double-click and type it.
rem The page opens in the default browser; closing this window (or Ctrl+C) stops it.
setlocal
cd /d "%~dp0"
if not exist "%~dp0venv\Scripts\python.exe" goto not_installed
set "FOLDER=%~1"
if not "%FOLDER%"=="" goto run
echo 请输入年度文件夹的位置（也可以把年度文件夹拖到本窗口后按回车），
echo 还没有年度文件夹时，先在“ogi命令行.bat”中运行：ogi init 2024 D:\政务公开\2024年度
set /p "FOLDER=年度文件夹："
if "%FOLDER%"=="" goto usage
set "FOLDER=%FOLDER:"=%"

:run
title ogi {{OGI_VERSION}}
echo 正在启动，浏览器会自动打开；使用完毕后关闭本窗口即可停止。
call "%~dp0tools\ogi.bat" serve "%FOLDER%"
set "RC=%ERRORLEVEL%"
if not "%RC%"=="0" pause
exit /b %RC%

:usage
echo 没有给出年度文件夹。
pause
exit /b 2

:not_installed
echo ogi 还没有安装：请先双击“安装.bat”。
pause
exit /b 2
