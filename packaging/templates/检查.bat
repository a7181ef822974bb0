@echo off
rem Drop folders or workbooks onto this file: folders go through "ogi status", single workbooks
rem through "ogi check". The window stays open with the result.
setlocal
if not exist "%~dp0venv\Scripts\python.exe" goto not_installed
if "%~1"=="" goto usage
set "RC=0"

:next
if "%~1"=="" goto done
echo ============================================================
echo "%~1"
echo ============================================================
if exist "%~1\" goto folder
call "%~dp0tools\ogi.bat" check "%~1"
goto after
:folder
call "%~dp0tools\ogi.bat" status "%~1"
:after
if errorlevel 1 set "RC=1"
echo.
shift
goto next

:done
pause
exit /b %RC%

:usage
echo 用法：把交回的工作簿（.xlsx）或存放工作簿的文件夹拖到“检查.bat”图标上。
echo   文件夹：列出每个机关的交回和检查情况（ogi status）；
echo   工作簿：逐项列出问题所在的表和单元格（ogi check）。
pause
exit /b 2

:not_installed
echo ogi 还没有安装：请先双击“安装.bat”。
pause
exit /b 2
