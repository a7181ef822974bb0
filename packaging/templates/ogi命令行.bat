@echo off
rem Opens a command prompt where "ogi" runs ogi from this bundle; with arguments, runs one command.
setlocal
cd /d "%~dp0"
if not exist "%~dp0venv\Scripts\python.exe" goto not_installed
set "PATH=%~dp0tools;%PATH%"
if not "%~1"=="" goto one_command
title ogi {{OGI_VERSION}}
echo ogi 命令行：在下面输入 ogi 命令，例如
echo   ogi --help
echo   ogi fill 示例\示例-彭阳县白阳镇人民政府-2023.xlsx -o 输出
echo   ogi check 交回的工作簿.xlsx
echo 输入 exit 关闭窗口。
echo.
cmd /k
exit /b 0

:one_command
call "%~dp0tools\ogi.bat" %*
exit /b %ERRORLEVEL%

:not_installed
echo ogi 还没有安装：请先双击“安装.bat”。
pause
exit /b 2
