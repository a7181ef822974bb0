@echo off
rem ogi {{OGI_VERSION}} offline installer for Windows ({{PLATFORM}}, Python {{PYTHON}}).
rem This file is GBK/CRLF: cmd.exe on Chinese Windows reads .bat files in code page 936.
rem It only finds Python {{PYTHON}} (64-bit); tools\install.py does the rest and prints in Chinese.
setlocal
cd /d "%~dp0"
if not exist "%~dp0tools\install.py" goto not_unpacked
set "INSTALLER={{INSTALLER}}"
call :find_python
if defined PY goto install

echo.
echo 未找到 Python {{PYTHON}}（64 位）。
if "%INSTALLER%"=="" goto no_installer
if not exist "%~dp0%INSTALLER%" goto no_installer
echo 现在运行随安装包附带的 Python {{PYTHON}} 安装程序。
echo 在安装窗口中点击“Install Now”，无需管理员权限；装好后本窗口会继续。
"%~dp0%INSTALLER%" InstallAllUsers=0 PrependPath=1 Include_launcher=1 InstallLauncherAllUsers=0 Include_test=0
call :find_python
if defined PY goto install
echo Python 安装没有完成。请重新双击“安装.bat”。
goto fail

:no_installer
echo 请先安装 Python {{PYTHON}} 的 64 位 Windows 版本（不需要管理员权限）：
echo   从 https://www.python.org/downloads/ 下载 Python {{PYTHON}}.x 的 Windows installer (64-bit)，
echo   或向单位信息化部门索取；安装时勾选“Add python.exe to PATH”。
echo 装好后再次双击“安装.bat”。
echo 如果电脑上已有其他版本的 Python，也可以改用文件名中带相应版本号（如 py3.12）的安装包。
goto fail

:install
%PY% "%~dp0tools\install.py" %*
set "RC=%ERRORLEVEL%"
echo.
pause
exit /b %RC%

:not_unpacked
echo 请先把整个压缩包解压到一个文件夹（右键点击压缩包，选“全部解压缩”），
echo 再双击解压出的“安装.bat”。不能在压缩包里直接运行。
pause
exit /b 2

:fail
echo.
pause
exit /b 3

rem Sets PY to a command that runs Python {{PYTHON}} 64-bit, or leaves it empty.
:find_python
set "PY="
set "CHECK=import struct, sys; sys.exit(0 if sys.version_info[:2] == ({{PY_TUPLE}}) and struct.calcsize('P') == 8 else 1)"
py -{{PYTHON}}-64 -c "%CHECK%" 1>nul 2>nul
if errorlevel 1 goto try_path
set "PY=py -{{PYTHON}}-64"
goto :eof
:try_path
python -c "%CHECK%" 1>nul 2>nul
if errorlevel 1 goto try_user
set "PY=python"
goto :eof
:try_user
set "CANDIDATE=%LOCALAPPDATA%\Programs\Python\Python{{PY_NODOT}}\python.exe"
if not exist "%CANDIDATE%" goto try_machine
"%CANDIDATE%" -c "%CHECK%" 1>nul 2>nul
if errorlevel 1 goto try_machine
set PY="%CANDIDATE%"
goto :eof
:try_machine
set "CANDIDATE=%ProgramFiles%\Python{{PY_NODOT}}\python.exe"
if not exist "%CANDIDATE%" goto :eof
"%CANDIDATE%" -c "%CHECK%" 1>nul 2>nul
if errorlevel 1 goto :eof
set PY="%CANDIDATE%"
goto :eof
